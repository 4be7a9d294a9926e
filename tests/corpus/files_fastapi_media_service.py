"""Media service: serves thumbnails and accepts image uploads (FastAPI)."""

import shutil
import uuid
from pathlib import Path

from fastapi import FastAPI, HTTPException, UploadFile
from fastapi.responses import FileResponse

app = FastAPI()

MEDIA_ROOT = Path("/var/media").resolve()
THUMBS = MEDIA_ROOT / "thumbs"
ALLOWED_TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}


@app.get("/thumbs/{name}")
async def get_thumbnail(name: str):
    return FileResponse(f"/var/media/thumbs/{name}")  # expect: CWE-22


@app.get("/media/{file_path:path}")
async def get_media(file_path: str):
    target = (MEDIA_ROOT / file_path).resolve()
    if not target.is_relative_to(MEDIA_ROOT):
        raise HTTPException(status_code=404, detail="Not found")
    return FileResponse(target)  # secure: CWE-22


@app.get("/captions")
async def get_caption(video: str):
    caption = MEDIA_ROOT / "captions" / f"{video}.vtt"
    return {"caption": caption.read_text()}  # expect: CWE-22


@app.get("/captions/v2")
async def get_caption_checked(video: str):
    try:
        caption = (MEDIA_ROOT / "captions" / f"{video}.vtt").resolve()
        caption.relative_to(MEDIA_ROOT / "captions")
    except ValueError:
        raise HTTPException(status_code=400, detail="bad name")
    return {"caption": caption.read_text()}  # secure: CWE-22


@app.post("/uploads")
async def upload_media(file: UploadFile):
    destination = MEDIA_ROOT / "incoming" / file.filename
    with destination.open("wb") as buffer:  # expect: CWE-22
        shutil.copyfileobj(file.file, buffer)  # expect: CWE-434
    return {"stored": file.filename}


@app.post("/uploads/images")
async def upload_image(file: UploadFile):
    extension = ALLOWED_TYPES.get(file.content_type)
    if extension is None:
        raise HTTPException(status_code=415, detail="Only PNG and JPEG images are accepted")
    stored_name = f"{uuid.uuid4().hex}{extension}"
    with open(MEDIA_ROOT / "incoming" / stored_name, "wb") as out:  # secure: CWE-22
        out.write(await file.read())  # secure: CWE-434
    return {"stored": stored_name}
