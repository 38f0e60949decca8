"""One module per report section: ``section_<key>(ctx) -> Section``."""
