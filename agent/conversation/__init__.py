"""Follow-ups: the last few turns of each requester's conversation, kept for minutes."""

from agent.conversation.store import ConversationStore

__all__ = ["ConversationStore"]
