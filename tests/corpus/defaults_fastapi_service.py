"""A FastAPI microservice scaffold with a browser front end on another origin."""

import os

import httpx
import uvicorn
from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="billing", debug=True)  # expect: CWE-489
public_app = FastAPI(title="billing", debug=os.environ.get("APP_DEBUG") == "1")  # secure: CWE-489

ORIGINS = ["*"]

app.add_middleware(
    CORSMiddleware,
    allow_origins=ORIGINS,  # expect: CWE-942
    allow_credentials=True,
    allow_methods=["*"],
)
public_app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://billing.example.com"],  # secure: CWE-942
    allow_credentials=True,
)


@app.post("/session")
async def create_session(response: Response):
    token = os.urandom(16).hex()
    response.set_cookie(key="access_token", value=token, httponly=True)  # expect: CWE-614
    response.set_cookie(key="access_token", value=token, httponly=True, secure=True, samesite="strict")  # secure: CWE-614
    return {"ok": True}


@app.get("/rates")
async def rates():
    async with httpx.AsyncClient(timeout=10) as client:  # secure: CWE-400
        return (await client.get("https://rates.example.com/latest")).json()


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)  # expect: CWE-200
    uvicorn.run(app, host=os.environ.get("HOST", "127.0.0.1"), port=8000)  # secure: CWE-200
