"""Sample data for the demo, the tests and the benches: a catalogue, customers and orders, seeded and reproducible."""
