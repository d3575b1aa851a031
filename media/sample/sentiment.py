# A tiny character-level example: select a word below and run "Unroll: Visualize LSTM" (Ctrl+Alt+U).
import torch.nn as nn


class CharLSTM(nn.Module):
    def __init__(self, vocab_size: int, hidden_size: int = 16):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 8)
        self.lstm = nn.LSTM(8, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.head(h)


greeting = "hello world"
