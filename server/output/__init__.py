"""Report formats for `tabguard check`: text, JSON, SARIF 2.1.0."""
