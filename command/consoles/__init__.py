"""Server-rendered consoles of the command app: each role's working screen."""
