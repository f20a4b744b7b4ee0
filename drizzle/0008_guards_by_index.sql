-- The task guards (0001) read the rollout's status once per inserted or deleted
-- task row. status is stored after config in the rollout row, so with a big config
-- (a 100 000-task tree's JSON is 1.4 MB) each read walked hundreds of overflow
-- pages: finalising that tree spent about 1 s in the guards. rollout_status_idx
-- holds (status, rowid), so the same question is answered from the index alone.
DROP TRIGGER task_insert_guard;
--> statement-breakpoint
CREATE TRIGGER task_insert_guard BEFORE INSERT ON task
WHEN NOT EXISTS (SELECT 1 FROM rollout INDEXED BY rollout_status_idx WHERE status = 'not_started' AND id = NEW.rollout_id)
BEGIN
  SELECT RAISE(ABORT, 'rollout already started: its tasks cannot change');
END;
--> statement-breakpoint
DROP TRIGGER task_delete_guard;
--> statement-breakpoint
CREATE TRIGGER task_delete_guard BEFORE DELETE ON task
WHEN NOT EXISTS (SELECT 1 FROM rollout INDEXED BY rollout_status_idx WHERE status = 'not_started' AND id = OLD.rollout_id)
BEGIN
  SELECT RAISE(ABORT, 'rollout already started: its tasks cannot change');
END;
