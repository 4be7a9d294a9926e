from sqlalchemy.orm import Session


def orders_by_status(session: Session, status):
    return session.query(Order).filter(f"status = '{status}'").all()


def by_name(session: Session, name):
    clause = "name = '%s'" % name
    return session.query(User).filter(clause).first()
