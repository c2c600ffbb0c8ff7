-- A command's output as the exact bytes it printed. `output` (text) cannot hold a NUL, so it keeps a
-- searchable copy with each NUL replaced by U+FFFD; reads prefer `output_bytes` when it is set.
ALTER TABLE machines.command_logs ADD COLUMN output_bytes bytea;
