"""What runs inside the deployment's containers besides the services themselves."""
