"""FastAPI and Flask endpoints an assistant wrote with "return helpful errors"."""

import logging
import os
import traceback

import requests
from fastapi import APIRouter, HTTPException
from flask import Flask, jsonify
from pydantic import ValidationError

logging.basicConfig(level=logging.DEBUG)  # expect: CWE-532
log = logging.getLogger("orders")

router = APIRouter()
app = Flask(__name__)
WEATHER_API_KEY = os.environ["WEATHER_API_KEY"]


@router.get("/orders/{order_id}")
def get_order(order_id: int):
    try:
        return load_order(order_id)
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))  # expect: CWE-209


@router.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: int):
    try:
        return load_invoice(invoice_id)
    except Exception:
        log.exception("invoice lookup failed")
        raise HTTPException(status_code=500, detail="Internal server error")  # secure: CWE-209


@app.post("/reports")
def build_report():
    try:
        return jsonify(run_report())
    except Exception as e:
        return jsonify({"error": f"Report failed: {e}"}), 500  # expect: CWE-209


@app.post("/exports")
def build_export():
    try:
        return jsonify(run_export())
    except Exception:
        return jsonify({"error": "export failed", "trace": traceback.format_exc()}), 500  # expect: CWE-209


@app.post("/profiles")
def update_profile():
    try:
        return jsonify(save_profile())
    except ValidationError as e:
        return jsonify({"error": str(e)}), 400  # secure: CWE-209
    except Exception:
        log.exception("profile update failed")
        return jsonify({"error": "Internal server error"}), 500  # secure: CWE-209


def fetch_forecast(city: str) -> dict:
    url = f"https://api.weather.example.com/v1/forecast?city={city}&api_key={WEATHER_API_KEY}"  # expect: CWE-598
    return requests.get(url, timeout=10).json()


def fetch_forecast_inline(city: str) -> dict:
    return requests.get(f"https://api.weather.example.com/v1/forecast?city={city}&api_key={WEATHER_API_KEY}", timeout=10).json()  # expect: CWE-598


def fetch_forecast_header(city: str) -> dict:
    return requests.get("https://api.weather.example.com/v1/forecast", params={"city": city}, headers={"X-API-Key": WEATHER_API_KEY}, timeout=10).json()  # secure: CWE-598


def load_order(order_id):
    raise NotImplementedError


def load_invoice(invoice_id):
    raise NotImplementedError


def run_report():
    raise NotImplementedError


def run_export():
    raise NotImplementedError


def save_profile():
    raise NotImplementedError
