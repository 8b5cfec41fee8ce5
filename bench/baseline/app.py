"""COMPARISON BASELINE ONLY -- not part of the product, never deployed, never tested as one.

A minimal FastAPI + SQLAlchemy + psycopg2 service with the seed's task routes, the stack the
seed (the hackathon's reference design) is built on, so that bench/side_by_side.sh can run it
beside our binary on the same PostgreSQL under the same wrk load (issue 16, item 6):

    POST /api/{user_id}/tasks   -> 201 the task; its `created` event row is written in the
                                   same transaction (the seed's "every operation an event")
    GET  /api/{user_id}/tasks   -> the user's tasks, newest first (?limit=, default 50)

Both check an HS256 bearer token whose `sub` is {user_id} (PyJWT), as the seed's Better Auth
JWTs were checked. Written the way the seed's services are: ORM models, a session per request,
sync endpoints on FastAPI's thread pool, Pydantic request/response models.

    /usr/bin/python3 bench/baseline/app.py init     create the tables (BASELINE_DATABASE_URL)
    /usr/bin/python3 -m uvicorn --app-dir bench/baseline app:app --workers 2 ...
"""
import os
import sys
import uuid
from datetime import datetime, timezone
from typing import List, Optional

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text, create_engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

DATABASE_URL = os.environ.get("BASELINE_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1/baseline")
JWT_SECRET = os.environ.get("BASELINE_JWT_SECRET", "bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1")

engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=10, pool_pre_ping=False)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)
Base = declarative_base()


class Task(Base):
    __tablename__ = "tasks"
    id = Column(Integer, primary_key=True)
    user_id = Column(String, index=True, nullable=False)
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    completed = Column(Boolean, nullable=False, default=False)
    priority = Column(String(10), nullable=False, default="medium")
    tags = Column(JSON, nullable=False, default=list)
    due_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class TaskEvent(Base):
    __tablename__ = "task_events"
    id = Column(Integer, primary_key=True)
    event_id = Column(String(36), unique=True, nullable=False)
    event_type = Column(String(20), nullable=False)
    user_id = Column(String, nullable=False)
    task_id = Column(Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False)
    task_data = Column(JSON, nullable=False)
    timestamp = Column(DateTime(timezone=True), nullable=False)


class TaskIn(BaseModel):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=1000)
    priority: str = Field("medium", regex="^(low|medium|high)$")
    tags: List[str] = []
    due_at: Optional[datetime] = None


class TaskOut(BaseModel):
    id: int
    user_id: str
    title: str
    description: str
    completed: bool
    priority: str
    tags: List[str]
    due_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime

    class Config:
        orm_mode = True


app = FastAPI(title="comparison baseline (not the product)")


def db():
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


def authorized(user_id: str, authorization: str = Header(None)) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="missing bearer token")
    try:
        claims = jwt.decode(authorization[7:], JWT_SECRET, algorithms=["HS256"], options={"verify_aud": False})
    except jwt.PyJWTError as err:
        raise HTTPException(status_code=401, detail=str(err))
    if claims.get("sub") != user_id:
        raise HTTPException(status_code=403, detail="not your tasks")
    return user_id


@app.post("/api/{user_id}/tasks", response_model=TaskOut, status_code=201)
def create_task(body: TaskIn, user_id: str = Depends(authorized), session: Session = Depends(db)):
    now = datetime.now(timezone.utc)
    task = Task(user_id=user_id, title=body.title, description=body.description, completed=False,
                priority=body.priority, tags=body.tags, due_at=body.due_at, created_at=now, updated_at=now)
    session.add(task)
    session.flush()  # the id, for the event
    out = TaskOut.from_orm(task)
    session.add(TaskEvent(event_id=str(uuid.uuid4()), event_type="created", user_id=user_id, task_id=task.id,
                          task_data=jsonable(out), timestamp=now))
    session.commit()
    return out


@app.get("/api/{user_id}/tasks", response_model=List[TaskOut])
def list_tasks(limit: int = Query(50, ge=1, le=200), user_id: str = Depends(authorized), session: Session = Depends(db)):
    return (session.query(Task).filter(Task.user_id == user_id)
            .order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).all())


def jsonable(model: BaseModel):
    import json
    return json.loads(model.json())


if __name__ == "__main__" and sys.argv[1:] == ["init"]:
    Base.metadata.create_all(engine)
