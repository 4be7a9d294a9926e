"""Supply chain: hallucinated, typosquatted, undeclared and deprecated packages."""
