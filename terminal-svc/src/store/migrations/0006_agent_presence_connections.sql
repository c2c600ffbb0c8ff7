-- Which connection each report was about: an agent is away only when its latest connection went
-- offline. The late offline of an older connection (a stream replaced by a new one, or dropped by
-- one bridge after the agent reached another) says nothing about the agent.
ALTER TABLE terminal.agent_presence ADD COLUMN online_connection text, ADD COLUMN offline_connection text;
