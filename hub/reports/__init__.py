"""Signed credit reports (信用报告 / 专项信用报告) an enterprise issues about itself."""
