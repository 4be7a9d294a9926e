from flask import Flask, jsonify, request

from repository import UserRepository
from services import UserService

app = Flask(__name__)
service = UserService()


@app.route("/users/search")
def search_users():
    return jsonify(service.search(request.args.get("q", "")))


@app.route("/users/by-email")
def user_by_email():
    return jsonify(UserService().by_email(request.args["email"]))


@app.route("/users/by-name")
def user_by_name(repo: UserRepository = UserRepository()):
    return jsonify(repo.find_by("name", request.args["name"]))
