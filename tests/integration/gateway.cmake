# The gateway binary against real upstreams: the real user-service (with PostgreSQL) and a
# tiny raw-socket upstream inside the test.
bazaar_integration_test(gateway_proxy_test gateway_proxy_test.cpp)
target_link_libraries(gateway_proxy_test PRIVATE bazaar_auth)
target_compile_definitions(gateway_proxy_test PRIVATE
  GATEWAY_BIN="$<TARGET_FILE:gateway>"
  USER_SERVICE_BIN="$<TARGET_FILE:user-service>")
add_dependencies(gateway_proxy_test gateway user-service)
