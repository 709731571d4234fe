CREATE TYPE "public"."modality" AS ENUM('webcam', 'mouse', 'lab', 'simulated');--> statement-breakpoint
CREATE TYPE "public"."visibility" AS ENUM('public', 'private');--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"visibility" "visibility" DEFAULT 'private' NOT NULL,
	"owner_id" uuid,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"name" text NOT NULL,
	"class_label" text,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"sha256" text NOT NULL,
	"mime_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"architecture" text DEFAULT '' NOT NULL,
	"training_data" text DEFAULT '' NOT NULL,
	"license" text DEFAULT '' NOT NULL,
	"format" text DEFAULT 'layers' NOT NULL,
	"url" text NOT NULL,
	"labels" jsonb NOT NULL,
	"preprocessing" text NOT NULL,
	"input_width" integer NOT NULL,
	"input_height" integer NOT NULL,
	"target_layer" text,
	"held_out_accuracy" real,
	"owner_id" uuid,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "models_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "density_maps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"image_id" uuid NOT NULL,
	"modality" "modality" NOT NULL,
	"version" integer NOT NULL,
	"sigma_px" double precision NOT NULL,
	"observers" integer NOT NULL,
	"fixation_count" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fixations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"image_id" uuid NOT NULL,
	"x" double precision NOT NULL,
	"y" double precision NOT NULL,
	"start_ms" double precision NOT NULL,
	"duration_ms" double precision NOT NULL,
	"sample_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gaze_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"modality" "modality" NOT NULL,
	"observer_label" text NOT NULL,
	"external_id_hash" text,
	"pixels_per_degree" double precision NOT NULL,
	"status" text DEFAULT 'accepted' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "density_maps" ADD CONSTRAINT "density_maps_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fixations" ADD CONSTRAINT "fixations_session_id_gaze_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."gaze_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fixations" ADD CONSTRAINT "fixations_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gaze_sessions" ADD CONSTRAINT "gaze_sessions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "images_dataset_name_uq" ON "images" USING btree ("dataset_id","name");--> statement-breakpoint
CREATE INDEX "images_dataset_idx" ON "images" USING btree ("dataset_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "density_maps_image_modality_version_uq" ON "density_maps" USING btree ("image_id","modality","version");--> statement-breakpoint
CREATE INDEX "fixations_image_idx" ON "fixations" USING btree ("image_id");--> statement-breakpoint
CREATE INDEX "fixations_session_idx" ON "fixations" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "gaze_sessions_dataset_idx" ON "gaze_sessions" USING btree ("dataset_id","modality");