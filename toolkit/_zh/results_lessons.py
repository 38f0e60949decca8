"""Chinese headers of the columns the course's lessons build themselves (issue #20).

A lesson names some columns in its own code (``customers["p_alive_pnbd"] = ...``, ``.agg(mean_clv=...)``); the
next cell reads them by that name, so the Chinese lesson keeps the names and a Chinese notebook shows them through
``col.<name>`` labels (:func:`toolkit.formatting.notebook_table_html`). The English label is what
:func:`toolkit.formatting.label` made of the name before, so English tables do not change.
"""

from __future__ import annotations

from ..formatting import _words
from ..i18n import register

register({f"col.{name}": {"en": _words(name), "zh": zh} for name, zh in {
    # 03 · CLV segments; 04 · model CLV by segment
    "mean_clv": "平均 CLV",
    "mean_model_clv": "平均模型 CLV",
    "mean_potential": "平均潜在价值",
    "mean_p_alive": "平均存活概率",
    # 04 · each customer's model numbers
    "expected_purchases_52w": "52 周预期购买次数",
    "p_alive_pnbd": "存活概率（Pareto/NBD）",
}.items()})

# 04 · the two rates of the Pareto/NBD covariate model ("purchase:channel=..." and "dropout:channel=..."), split
# by the lesson into rate x channel; "purchase" already has its label (the event name)
register({"val.dropout": {"en": _words("dropout"), "zh": "流失"}})

# 00 · the environment check (toolkit.check_environment): its columns and what each package is needed for
register({f"col.{name}": {"en": _words(name), "zh": zh} for name, zh in {
    "package": "软件包", "version": "已装版本", "needed_for": "用途", "required": "必需", "date": "日期",
}.items()})
register({"val.needed_for.core": {"en": "core", "zh": "核心计算"},
          "val.needed_for.lab": {"en": "lab", "zh": "课程环境（JupyterLab / Voilà）"}})
# 00 · 01 · the teaching company's tables (Company.summary(), indexed by "table")
register({f"val.table.{name}": {"en": name, "zh": zh} for name, zh in {
    "customers": "客户表", "transactions": "交易表", "events": "触点事件表", "nps": "NPS 答卷表",
    "truth": "真实答案表", "truth_stages": "真实阶段表",
}.items()})
