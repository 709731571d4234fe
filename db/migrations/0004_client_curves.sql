ALTER TABLE "saliency_maps" ADD COLUMN "client_curves" jsonb;--> statement-breakpoint
ALTER TABLE "scores" ADD COLUMN "curve_source" text;--> statement-breakpoint
-- Curves stored before issue 18 were all computed by the server.
UPDATE "scores" SET "curve_source" = 'recomputed' WHERE "metric" IN ('insertion', 'deletion') AND "density_map_id" IS NULL;
