DROP TABLE inquiry_answer_files;
