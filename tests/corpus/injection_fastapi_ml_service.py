"""FastAPI model-serving service an assistant scaffolded: uploads, configs, and a result page."""

import pickle
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
import numpy as np
import torch
import yaml
from fastapi import FastAPI, File, Request, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import escape

app = FastAPI()


@app.post("/models/upload")
async def upload_model(file: UploadFile = File(...)):
    path = f"/srv/models/{file.filename}"
    model = torch.load(path)  # expect: CWE-502
    weights = torch.load(path, map_location="cpu", weights_only=True)  # secure: CWE-502
    return {"layers": len(weights), "kind": type(model).__name__}


@app.post("/features")
async def load_features(request: Request):
    body = await request.body()
    features = pickle.loads(body)  # expect: CWE-502
    return {"count": len(features)}


@app.post("/arrays")
async def load_array(file: UploadFile = File(...)):
    data = np.load(file.file, allow_pickle=True)  # expect: CWE-502
    safe = np.load(file.file)  # secure: CWE-502
    return {"shape": list(data.shape), "safe_shape": list(safe.shape)}


@app.post("/pipelines")
async def create_pipeline(request: Request):
    raw = await request.body()
    config = yaml.load(raw, Loader=yaml.Loader)  # expect: CWE-502
    safe_config = yaml.safe_load(raw)  # secure: CWE-502
    return {"steps": len(config["steps"]), "safe_steps": len(safe_config["steps"])}


@app.post("/annotations")
async def import_annotations(request: Request):
    raw = await request.body()
    root = ET.fromstring(raw)  # expect: CWE-611
    safe_root = SafeET.fromstring(raw)  # secure: CWE-611
    return {"labels": [el.text for el in root.iter("label")], "safe": len(safe_root)}


@app.get("/results/{job_id}", response_class=HTMLResponse)
async def result_page(job_id: str, title: str = "Result"):
    page = HTMLResponse(f"<html><h1>{title}</h1><p>Job {job_id}</p></html>")  # expect: CWE-79
    safe_page = HTMLResponse(f"<html><h1>{escape(title)}</h1><p>Job {escape(job_id)}</p></html>")  # secure: CWE-79
    return page if job_id.startswith("legacy-") else safe_page
