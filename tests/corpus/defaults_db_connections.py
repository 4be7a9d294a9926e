"""Connection helpers for the reporting worker (managed Postgres, MongoDB Atlas, Redis, MySQL)."""

import os

import mysql.connector
import psycopg2
import pymysql
import redis
from pymongo import MongoClient
from sqlalchemy import create_engine

DB_HOST = os.environ.get("DB_HOST", "reporting.cluster.example.com")
RDS_CA = "/etc/ssl/rds-global-bundle.pem"


def pg_connect():
    return psycopg2.connect(host=DB_HOST, dbname="reports", user="worker", sslmode="disable")  # expect: CWE-295


def pg_connect_verified():
    return psycopg2.connect(host=DB_HOST, dbname="reports", user="worker", sslmode="verify-full", sslrootcert=RDS_CA)  # secure: CWE-295


def pg_local():
    return psycopg2.connect(host="localhost", dbname="reports", sslmode="disable")  # secure: CWE-295


engine = create_engine("postgresql+psycopg2://worker@reporting.cluster.example.com/reports?sslmode=prefer")  # expect: CWE-295


def mongo():
    return MongoClient(os.environ["MONGO_URI"], tls=True, tlsAllowInvalidCertificates=True)  # expect: CWE-295


def mongo_verified():
    return MongoClient(os.environ["MONGO_URI"], tls=True, tlsCAFile=RDS_CA)  # secure: CWE-295


def cache():
    return redis.Redis(host=os.environ["REDIS_HOST"], port=6380, ssl=True, ssl_cert_reqs=None)  # expect: CWE-295


def cache_verified():
    return redis.Redis(host=os.environ["REDIS_HOST"], port=6380, ssl=True, ssl_cert_reqs="required")  # secure: CWE-295


def mysql_conn():
    return mysql.connector.connect(host=DB_HOST, user="worker", database="reports", ssl_disabled=True)  # expect: CWE-295


def mysql_conn_pymysql():
    return pymysql.connect(host=DB_HOST, user="worker", ssl={"ca": RDS_CA, "check_hostname": False})  # expect: CWE-295
