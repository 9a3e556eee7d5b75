"""Two-way chats with the household (Telegram): messages in through the dispatcher, answers
and approval buttons out. Only allowlisted chats are answered."""
