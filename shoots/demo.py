"""Demo data: placeholder until written."""

from sqlalchemy.orm import Session


def load_demo(session: Session) -> str:
    return "nothing yet"
