"""shoots"""
