"""halo-reconciler: Terraform-style configuration as code for HaloPSA's accounting integrations."""

__version__ = "0.1.0"
