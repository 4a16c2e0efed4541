"""The appliance system: A/B root slots and updates."""
