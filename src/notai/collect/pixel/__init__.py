"""The pixel: api.js (readable source) and api.min.js (what /api.js serves)."""
