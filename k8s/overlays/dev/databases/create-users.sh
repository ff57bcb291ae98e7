# Sourced by the MariaDB image's entrypoint on the first start of an empty
# volume: the service's two users, with passwords from the mounted Secret.
# <svc>_migrate changes the schema (the migration Job); <svc>_app only reads
# and writes rows (the service).
app_password=$(cat /var/run/secrets/crm/db/app-password)
migrate_password=$(cat /var/run/secrets/crm/db/migrate-password)
docker_process_sql <<SQL
CREATE DATABASE IF NOT EXISTS crm_${CRM_SERVICE} CHARACTER SET utf8mb4;
CREATE USER '${CRM_SERVICE}_app'@'%' IDENTIFIED BY '${app_password}';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm_${CRM_SERVICE}.* TO '${CRM_SERVICE}_app'@'%';
CREATE USER '${CRM_SERVICE}_migrate'@'%' IDENTIFIED BY '${migrate_password}';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, TRIGGER
  ON crm_${CRM_SERVICE}.* TO '${CRM_SERVICE}_migrate'@'%';
SQL
