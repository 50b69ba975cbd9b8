# The gateway's rate-limiting redis policy against a real redis-server (deploy/local/redis-server).
bazaar_integration_test(gateway_redis_test gateway_redis_test.cpp)
target_link_libraries(gateway_redis_test PRIVATE gateway_rate_limiting_redis)
