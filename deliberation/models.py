"""Proposals, comments, votes, answers and follows arrive with the "Deliberation" issue."""
