ALTER TABLE "models" ADD COLUMN "methods" jsonb;
