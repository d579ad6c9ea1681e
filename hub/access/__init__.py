"""Access policy (data) and the one door every read of subject data passes."""
