"""The dashboard: server-rendered pages where people review what was detected."""
