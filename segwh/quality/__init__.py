"""The Great Expectations quality gate: suites as code (`suites`), the one place that connects
Great Expectations to the warehouse (`connection`), and the stage runner (`runner`)."""
