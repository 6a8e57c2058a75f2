DROP TABLE inquiry_answers;
DROP TABLE inquiries;
