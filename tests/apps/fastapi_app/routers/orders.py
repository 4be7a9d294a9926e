"""Customer order routes."""

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from deps import get_current_user, get_db
from models import Order, User
from schemas import OrderIn, OrderUpdate

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{order_id}")
def read_order(order_id: int, db: Session = Depends(get_db), user: User = Depends(get_current_user)):
    order = db.query(Order).filter(Order.id == order_id).first()
    if order is None:
        raise HTTPException(status_code=404)
    return order


@router.post("/")
def create_order(order_in: OrderIn, db: Session = Depends(get_db), user: User = Depends(get_current_user)):
    order = Order(owner_id=user.id, product_id=order_in.product_id, price=order_in.price)
    db.add(order)
    db.commit()
    return order


@router.patch("/{order_id}")
def update_order(order_id: int, changes: OrderUpdate, db: Session = Depends(get_db),
                 user: User = Depends(get_current_user)):
    order = db.query(Order).filter(Order.id == order_id, Order.owner_id == user.id).first()
    if order is None:
        raise HTTPException(status_code=404)
    order.note = changes.note
    db.commit()
    return order


@router.delete("/{order_id}")
def delete_order(order_id: int, db: Session = Depends(get_db)):
    db.query(Order).filter(Order.id == order_id).delete()
    db.commit()
