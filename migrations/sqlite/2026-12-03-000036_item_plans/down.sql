DROP TABLE agenda_item_plans;
