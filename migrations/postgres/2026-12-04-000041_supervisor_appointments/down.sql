DROP TABLE supervisor_appointments;
