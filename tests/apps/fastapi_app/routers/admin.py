"""Back-office routes: every route on this router requires an admin."""

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from deps import get_db, require_admin
from models import User

router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@router.get("/users")
def list_users(db: Session = Depends(get_db)):
    return db.query(User).all()


@router.post("/users/{user_id}/ban")
def ban_user(user_id: int, db: Session = Depends(get_db)):
    db.get(User, user_id).banned = True
    db.commit()
