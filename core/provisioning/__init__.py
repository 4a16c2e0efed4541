"""Zero-touch provisioning of desk phones (issue 9): devices, tickets, the provisioning server."""
