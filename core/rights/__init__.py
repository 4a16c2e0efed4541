"""Service rights (ROLE-09): which user groups may use a gated service against which users."""
