"""Pure algorithms: plain data in, result out; no database, no settings, nothing else of edugroup imported."""
