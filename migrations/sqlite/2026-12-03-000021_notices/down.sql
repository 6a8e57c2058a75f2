DROP TABLE convening_settings;
DROP TABLE convening_notices;
