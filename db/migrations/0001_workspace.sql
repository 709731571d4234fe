CREATE TYPE "public"."role" AS ENUM('admin', 'researcher');--> statement-breakpoint
CREATE TYPE "public"."study_status" AS ENUM('draft', 'open', 'paused', 'closed');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('pending', 'running', 'complete', 'failed');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "auth_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'researcher' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "studies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"dataset_id" uuid NOT NULL,
	"owner_id" uuid,
	"name" text NOT NULL,
	"status" "study_status" DEFAULT 'draft' NOT NULL,
	"consent_text" text NOT NULL,
	"config" jsonb NOT NULL,
	"participant_cap" integer,
	"completion_code" text,
	"redirect_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "studies_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "sample_batches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"trial_id" uuid NOT NULL,
	"sample_count" integer NOT NULL,
	"t_first_ms" double precision NOT NULL,
	"t_last_ms" double precision NOT NULL,
	"samples" "bytea" NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sample_batches_session_seq_uq" UNIQUE("session_id","seq")
);
--> statement-breakpoint
CREATE TABLE "trials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"image_id" uuid,
	"position" integer NOT NULL,
	"kind" text DEFAULT 'image' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"rect" jsonb,
	"pixels_per_degree" double precision,
	"passed" boolean,
	"detail" jsonb,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "trials_session_position_uq" UNIQUE("session_id","position")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"explainer" text NOT NULL,
	"params" jsonb NOT NULL,
	"target" jsonb NOT NULL,
	"name" text NOT NULL,
	"owner_id" uuid,
	"status" "run_status" DEFAULT 'pending' NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"evaluate_without_ground_truth" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"evaluation_step" integer,
	"modality" "modality",
	"score_emd" boolean DEFAULT false NOT NULL,
	"visibility" "visibility" DEFAULT 'private' NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saliency_maps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"image_id" uuid NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"class_index" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saliency_maps_run_image_uq" UNIQUE("run_id","image_id")
);
--> statement-breakpoint
CREATE TABLE "score_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"image_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"density_map_id" uuid,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "score_failures_run_image_metric_gt_uq" UNIQUE NULLS NOT DISTINCT("run_id","image_id","metric","density_map_id")
);
--> statement-breakpoint
CREATE TABLE "scores" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"image_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"density_map_id" uuid,
	"value" double precision NOT NULL,
	"detail" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scores_run_image_metric_gt_uq" UNIQUE NULLS NOT DISTINCT("run_id","image_id","metric","density_map_id")
);
--> statement-breakpoint
CREATE TABLE "leaderboard_snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"modality" "modality" NOT NULL,
	"ground_truth_state" text NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reference_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"density_map_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"detail" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reference_scores_gt_kind_metric_uq" UNIQUE("density_map_id","kind","metric")
);
--> statement-breakpoint
ALTER TABLE "density_maps" ALTER COLUMN "sigma_px" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ALTER COLUMN "pixels_per_degree" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "visibility" "visibility" DEFAULT 'private' NOT NULL;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "sha256" text;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "bytes" bigint;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "files" jsonb;--> statement-breakpoint
ALTER TABLE "density_maps" ADD COLUMN "source" text DEFAULT 'fixations' NOT NULL;--> statement-breakpoint
ALTER TABLE "density_maps" ADD COLUMN "points" "bytea";--> statement-breakpoint
ALTER TABLE "density_maps" ADD COLUMN "observer_labels" jsonb;--> statement-breakpoint
ALTER TABLE "density_maps" ADD COLUMN "consistency" jsonb;--> statement-breakpoint
ALTER TABLE "fixations" ADD COLUMN "trial_id" uuid;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "study_id" uuid;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "token_hash" text;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "config" jsonb;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "geometry" jsonb;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "quality" jsonb;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "review_decision" text;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "studies" ADD CONSTRAINT "studies_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "studies" ADD CONSTRAINT "studies_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_batches" ADD CONSTRAINT "sample_batches_session_id_gaze_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."gaze_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_batches" ADD CONSTRAINT "sample_batches_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_session_id_gaze_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."gaze_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saliency_maps" ADD CONSTRAINT "saliency_maps_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saliency_maps" ADD CONSTRAINT "saliency_maps_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_failures" ADD CONSTRAINT "score_failures_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_failures" ADD CONSTRAINT "score_failures_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_failures" ADD CONSTRAINT "score_failures_density_map_id_density_maps_id_fk" FOREIGN KEY ("density_map_id") REFERENCES "public"."density_maps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_density_map_id_density_maps_id_fk" FOREIGN KEY ("density_map_id") REFERENCES "public"."density_maps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboard_snapshots" ADD CONSTRAINT "leaderboard_snapshots_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reference_scores" ADD CONSTRAINT "reference_scores_density_map_id_density_maps_id_fk" FOREIGN KEY ("density_map_id") REFERENCES "public"."density_maps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "auth_sessions_user_idx" ON "auth_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "studies_dataset_idx" ON "studies" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "sample_batches_trial_idx" ON "sample_batches" USING btree ("trial_id");--> statement-breakpoint
CREATE INDEX "trials_image_idx" ON "trials" USING btree ("image_id");--> statement-breakpoint
CREATE INDEX "runs_dataset_idx" ON "runs" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "score_failures_run_idx" ON "score_failures" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "scores_run_idx" ON "scores" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "leaderboard_snapshots_dataset_idx" ON "leaderboard_snapshots" USING btree ("dataset_id");--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "models" ADD CONSTRAINT "models_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fixations" ADD CONSTRAINT "fixations_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD CONSTRAINT "gaze_sessions_study_id_studies_id_fk" FOREIGN KEY ("study_id") REFERENCES "public"."studies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gaze_sessions_study_idx" ON "gaze_sessions" USING btree ("study_id","status");--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD CONSTRAINT "gaze_sessions_token_hash_unique" UNIQUE("token_hash");--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD CONSTRAINT "gaze_sessions_study_external_uq" UNIQUE("study_id","external_id_hash");