"""Graded supervision (国办发〔2019〕35号 §七): advice and random inspection draws."""
