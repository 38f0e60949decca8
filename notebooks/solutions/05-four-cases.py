# Solution: classify the course's four cases with the thresholds learned on the teaching company. The classifier
# only needs their purchases; from_thresholds re-uses what fit() learned on the company.
from toolkit.exercises import check
from toolkit.lifecycle import LifecycleClassifier

case_clf = LifecycleClassifier.from_thresholds(clf.thresholds_, cases_tx)
case_patterns = case_clf.predict()
for case in case_patterns.index:
    print(case_clf.explain(case))
check("case_patterns", expected_cases)
