"""The lending white list (信易贷白名单, 平信用〔2021〕1号 企业"白名单")."""
