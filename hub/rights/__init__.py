"""Subject rights over time: objections, credit repair, credit commitments,
publication windows and retention (征信业管理条例 Art 16/25; 信用修复管理办法 2026;
国办发〔2019〕35号 §1).

Every state change is a transition of a machine declared in
:mod:`hub.rights.states`; every action is audited; every change to a record
bumps ``Entity.data_version`` so evaluations and decisions follow at once.
"""
