-- A started rollout's plan is fixed: its tasks can no longer be replaced.
-- Finalise writes its tree in one batch; if the rollout started meanwhile,
-- these make the whole batch fail instead of changing a running plan.
CREATE TRIGGER task_insert_guard BEFORE INSERT ON task
WHEN (SELECT status FROM rollout WHERE id = NEW.rollout_id) != 'not_started'
BEGIN
  SELECT RAISE(ABORT, 'rollout already started: its tasks cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER task_delete_guard BEFORE DELETE ON task
WHEN (SELECT status FROM rollout WHERE id = OLD.rollout_id) != 'not_started'
BEGIN
  SELECT RAISE(ABORT, 'rollout already started: its tasks cannot change');
END;
