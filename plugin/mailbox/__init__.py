"""Mailboxes: where drafts are saved, sent mail is read and warnings are delivered."""
