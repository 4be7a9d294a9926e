"""Case study, secure twin: the records service scopes every lookup to the signed-in patient, and
answers 404 for a record that is someone else's. Nothing here may be flagged."""

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Session, declarative_base

from .auth import get_current_user, get_db

Base = declarative_base()
app = FastAPI(title="Patient portal API")


class MedicalRecord(Base):
    __tablename__ = "medical_records"
    id = Column(Integer, primary_key=True)
    patient_id = Column(Integer, ForeignKey("patients.id"), nullable=False)
    diagnosis = Column(Text)
    notes = Column(Text)


class Prescription(Base):
    __tablename__ = "prescriptions"
    id = Column(Integer, primary_key=True)
    patient_id = Column(Integer, ForeignKey("patients.id"), nullable=False)
    drug = Column(String(200))


@app.get("/records/{record_id}")
def read_record(record_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):
    record = (
        db.query(MedicalRecord)
        .filter(MedicalRecord.id == record_id, MedicalRecord.patient_id == user.id)  # secure: CWE-639
        .first()
    )
    if record is None:
        raise HTTPException(status_code=404, detail="Record not found")
    return {"id": record.id, "diagnosis": record.diagnosis, "notes": record.notes}


@app.get("/prescriptions/{prescription_id}")
async def read_prescription(prescription_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):
    prescription = db.get(Prescription, prescription_id)  # secure: CWE-639
    if not prescription or prescription.patient_id != user.id:
        raise HTTPException(status_code=404)
    return {"id": prescription.id, "drug": prescription.drug}


@app.put("/records/{record_id}/notes")
def update_notes(record_id: int, notes: str, db: Session = Depends(get_db), user=Depends(get_current_user)):
    record = db.query(MedicalRecord).filter_by(id=record_id, patient_id=user.id).first()  # secure: CWE-639
    if record is None:
        raise HTTPException(status_code=404)
    record.notes = notes
    db.commit()
    return {"id": record.id}
