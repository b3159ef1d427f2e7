"""Pure solution concepts of bargaining theory (filled in module by module)."""
